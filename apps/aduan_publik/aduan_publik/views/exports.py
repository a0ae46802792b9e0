from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from .. import access
from ..exports import csv_lines


@login_required(login_url="/desk/login/")
def complaints_csv(request: HttpRequest) -> StreamingHttpResponse:
    if not access.can_use_desk(request.user):
        raise PermissionDenied
    response = StreamingHttpResponse(csv_lines(request.user), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="aduan-{stamp}.csv"'
    return response
