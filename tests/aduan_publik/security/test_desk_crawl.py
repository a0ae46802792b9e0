"""Crawl the desk as OPD staff, the way an attacker would, and look for what must never show.

Dinas PU staff must never see the anonim reporter of their own complaint, nor anything of a
complaint disposed only to DLH; DLH staff must never see Dinas PU's complaint. Every registered
model admin is visited: list, searches by the reporter's name and phone, change and history pages
of every row in the database, and the autocomplete endpoint for every relation.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from aduan_publik.models import Complaint, Role
from aduan_publik.services.complaints import complaint_merge
from aduan_publik.services.dispositions import disposition_return
from tests.aduan_publik.desk.desk_helpers import client_for
from tests.aduan_publik.security.conftest import ANON, OTHER
from tests.conftest import make_user


def desk_urls(terms: list[str]) -> list[str]:
    """Every desk URL worth probing: index, lists (+ searches), change/history pages, autocompletes."""
    urls = ["/desk/", "/export/aduan.csv"]
    for model in admin.site._registry:
        meta = model._meta
        try:
            changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        urls.append(changelist)
        urls += [f"{changelist}?q={term}" for term in terms]
        rows = model._default_manager.values_list("pk", flat=True) if meta.managed else []
        for pk in rows:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk]))
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[pk]))
        for field in meta.get_fields():
            if field.is_relation and field.concrete and field.related_model in admin.site._registry:
                for term in ["", *terms]:
                    urls.append(f"/desk/autocomplete/?app_label={meta.app_label}&model_name={meta.model_name}"
                                f"&field_name={field.name}&term={term}")
    return urls


def leaks(client, urls: list[str], secrets: list[str], hit: str = "") -> list[tuple[str, str]]:
    """``(url, secret)`` for every secret in a response. A searched term is echoed in the search box,
    so it does not count; a search by the anonim reporter's identity must not find ``hit`` either."""
    found = []
    for url in urls:
        response = client.get(url, follow=True)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        term = unquote_plus(url.partition("q=")[2] or url.partition("term=")[2])
        wanted = [s for s in secrets if s != term]
        if term in (ANON["name"], ANON["phone"]) and hit:
            wanted.append(hit)
        found += [(url, secret) for secret in wanted if secret in text]
    return found


@pytest.mark.django_db
def test_pu_operator_never_sees_anonim_identity_nor_dlh_complaint(anon_pu, named_dlh, operator_pu):
    secrets = [ANON["name"], ANON["phone"], ANON["email"], named_dlh.tracking_number, OTHER["name"],
               OTHER["phone"], named_dlh.title]
    urls = desk_urls([ANON["name"], ANON["phone"], OTHER["name"], named_dlh.tracking_number])
    client = client_for(operator_pu)
    # The crawl must reach the complaint itself, or it proves nothing.
    assert anon_pu.tracking_number in client.get(reverse("admin:aduan_publik_complaint_changelist")).content.decode()
    assert leaks(client, urls, secrets, hit=anon_pu.tracking_number) == []


@pytest.mark.django_db
def test_dlh_liaison_never_sees_pu_complaint(anon_pu, named_dlh, liaison_dlh):
    secrets = [anon_pu.tracking_number, anon_pu.title, ANON["name"], ANON["phone"], ANON["email"]]
    urls = desk_urls([ANON["name"], ANON["phone"], anon_pu.tracking_number])
    client = client_for(liaison_dlh)
    assert named_dlh.tracking_number in client.get(
        reverse("admin:aduan_publik_complaint_changelist")).content.decode()
    assert leaks(client, urls, secrets) == []


@pytest.mark.django_db
def test_crawler_finds_what_admins_may_see(anon_pu, named_dlh, admin_user):
    """The crawl can fail: an admin does see the anonim reporter and every OPD's complaint."""
    found = {secret for _url, secret in leaks(client_for(admin_user), desk_urls([]),
                                              [ANON["name"], named_dlh.tracking_number])}
    assert found == {ANON["name"], named_dlh.tracking_number}


@pytest.mark.django_db
def test_users_without_desk_role_see_nothing(anon_pu, named_dlh):
    integrator_user = make_user("integrator", Role.INTEGRATOR)
    secrets = [anon_pu.tracking_number, named_dlh.tracking_number, ANON["name"], OTHER["name"]]
    nobody = client_for(make_user("tanpa_peran", None))
    for client in (client_for(integrator_user), nobody):
        assert leaks(client, desk_urls([ANON["name"]]), secrets) == []


@pytest.mark.django_db
def test_returned_complaint_merged_into_other_opd_shows_nothing_of_it(anon_pu, named_dlh, operator_pu,
                                                                       liaison_pu, admin_user):
    """Dinas PU returns its complaint; the admin merges it into DLH's one. PU still reads its own
    history, but must not learn DLH's complaint from the "duplicate of" field."""
    disposition = anon_pu.dispositions.get()
    disposition_return(disposition=disposition, by=liaison_pu, reason="Bukan kewenangan PU")
    complaint_merge(complaint=Complaint.objects.get(pk=anon_pu.pk), into=named_dlh, by=admin_user)
    page = client_for(operator_pu).get(reverse("admin:aduan_publik_complaint_change", args=[anon_pu.pk]))
    assert page.status_code == 200
    assert named_dlh.title not in page.content.decode()


@pytest.mark.django_db
def test_list_lookups_cannot_probe_anonim_identity(anon_pu, operator_pu):
    """``?contact__name__startswith=B`` would be an oracle on the reporter's name, one letter at a time."""
    client = client_for(operator_pu)
    list_url = reverse("admin:aduan_publik_complaint_changelist")
    for lookup in ("contact__name__startswith=Budi", "contact__phone__contains=0812", "contact__email=warga",
                   "contact__name__startswith=Zzz"):
        response = client.get(f"{list_url}?{lookup}", follow=True)
        assert anon_pu.tracking_number not in response.content.decode(), lookup
