"""Desk fixtures: logged-in clients per role and a complaint already disposed to Dinas PU."""

from __future__ import annotations

import pytest

from aduan_publik.models import Role
from aduan_publik.services.complaints import complaint_verify
from tests.aduan_publik.desk.desk_helpers import client_for
from tests.conftest import make_user


@pytest.fixture
def admin_client_(admin_user):
    return client_for(admin_user)


@pytest.fixture
def leader_client(leader_user):
    return client_for(leader_user)


@pytest.fixture
def liaison_pu_client(liaison_pu):
    return client_for(liaison_pu)


@pytest.fixture
def operator_pu_client(operator_pu):
    return client_for(operator_pu)


@pytest.fixture
def liaison_dlh_client(liaison_dlh):
    return client_for(liaison_dlh)


@pytest.fixture
def integrator_user(db):
    return make_user("integrator", Role.INTEGRATOR)


@pytest.fixture
def disposed(complaint, admin_user, opd_pu):
    """The sample complaint, verified and disposed to Dinas PU."""
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu], instruction="Mohon dicek")
    complaint.refresh_from_db()
    return complaint
