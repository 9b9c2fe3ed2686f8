"""The one place that answers who may see or change what.

Views, the admin, the API and tasks all ask this module; nothing else calls
django-guardian. Kinds of user: city staff (read everything), leaders (read,
download reports), the secretariat of a committee (keep that committee's roster
and its support groups' rosters), administrators (superusers: everything).
"""

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from committees.models import (
    Committee,
    CommitteeGroupObjectPermission,
    CommitteeUserObjectPermission,
)

CITY_STAFF_GROUP = "City staff"
LEADERS_GROUP = "Leaders"
SECRETARIAT_GROUP = "Secretariat"

ROSTER_PERMISSION = "committees.manage_roster"
MEASUREMENT_PERMISSION = "committees.add_measurement_to"
REGISTRY_APPS = ("committees", "members", "mandates", "reports", "work")


def _user_ok(user) -> bool:
    return (
        user is not None
        and not isinstance(user, AnonymousUser)
        and user.is_authenticated
        and user.is_active
    )


def _group_names(user) -> frozenset[str]:
    """The user's group names, cached on the user object for the request."""
    cached = getattr(user, "_registry_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._registry_group_names = cached
    return cached


def is_reader(user) -> bool:
    """City staff, leaders, secretariats and administrators read the whole registry."""
    if not _user_ok(user):
        return False
    if user.is_superuser:
        return True
    return bool(_group_names(user) & {CITY_STAFF_GROUP, LEADERS_GROUP, SECRETARIAT_GROUP})


def is_leader(user) -> bool:
    return _user_ok(user) and LEADERS_GROUP in _group_names(user)


def is_city_staff(user) -> bool:
    return _user_ok(user) and CITY_STAFF_GROUP in _group_names(user)


def is_secretariat(user) -> bool:
    """In the secretariat group (which committees it keeps: committees_roster_editable_by)."""
    return _user_ok(user) and SECRETARIAT_GROUP in _group_names(user)


def can_download_reports(user, committee: Committee | None) -> bool:
    """Leaders, city staff, that committee's secretariat and administrators; nobody else.
    `committee=None` is the city-wide overview, for leaders, city staff and administrators."""
    if not _user_ok(user):
        return False
    if user.is_superuser or _group_names(user) & {CITY_STAFF_GROUP, LEADERS_GROUP}:
        return True
    return committee is not None and can_manage_roster(user, committee)


def committees_visible_to(user) -> QuerySet[Committee]:
    if not is_reader(user):
        return Committee.objects.none()
    return Committee.objects.all()


def can_view_committee(user, committee: Committee) -> bool:
    return is_reader(user)


def public_pages_enabled() -> bool:
    """The public pages (directory, committee and person pages, search, open data) are on
    unless the PUBLIC_PAGES setting turns them off."""
    from django.conf import settings

    return bool(getattr(settings, "PUBLIC_PAGES", True))


def can_read_public(user) -> bool:
    """The public pages (directory, committee, person, agency and decision pages, search, open
    data): anyone while they are on; every signed-in user always (a reader gets the reader's
    page, anyone else the public one)."""
    return public_pages_enabled() or _user_ok(user)


def can_open_report_list(user) -> bool:
    """The reports page is for the registry's readers."""
    return is_reader(user)


def can_open_my_tasks(user) -> bool:
    """The task start page: readers, and focal points (their agencies' boards)."""
    return is_reader(user) or is_focal_point(user)


def site_menu(user) -> dict[str, bool]:
    """The entries the site menu offers the user: each is the question its page asks, so the
    menu never offers a page that refuses the user."""
    public = can_read_public(user)
    return {
        "committees": public,
        "search": public,
        "open_data": public,
        "reports": can_open_report_list(user),
        "tasks": can_open_my_tasks(user),
        "work_queue": can_have_work_queue(user),
        "admin": can_use_admin(user),
    }


def require_reader(user) -> None:
    if not is_reader(user):
        raise PermissionDenied("You may not read the registry.")


def _committees_with(user, codename: str) -> QuerySet[Committee]:
    """Committees on which the user holds a per-object permission, directly or through a group,
    and their support groups (the secretariat keeps those rosters too)."""
    if not _user_ok(user):
        return Committee.objects.none()
    if user.is_superuser:
        return Committee.objects.all()
    direct = CommitteeUserObjectPermission.objects.filter(
        user=user, permission__codename=codename
    ).values("content_object_id")
    via_group = CommitteeGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=codename
    ).values("content_object_id")
    return Committee.objects.filter(
        Q(pk__in=direct) | Q(pk__in=via_group) | Q(parent__in=direct) | Q(parent__in=via_group)
    )


def committees_roster_editable_by(user) -> QuerySet[Committee]:
    return _committees_with(user, ROSTER_PERMISSION.split(".")[1])


def committee_ids_roster_editable_by(users) -> dict[int, frozenset[int]]:
    """committees_roster_editable_by for many users in one query: for each user's id, the
    committees it keeps directly or through a group, and their support groups. Superusers keep
    every committee and are asked about with is_administrator, not here."""
    ids = [user.pk for user in users]
    codename = ROSTER_PERMISSION.split(".")[1]
    if not ids:
        return {}
    direct = CommitteeUserObjectPermission.objects.filter(
        user_id__in=ids, permission__codename=codename
    )
    via_group = CommitteeGroupObjectPermission.objects.filter(
        group__user__in=ids, permission__codename=codename
    )
    rows = (
        direct.values_list("user_id", "content_object_id")
        .union(
            via_group.values_list("group__user", "content_object_id"),
            direct.filter(content_object__support_groups__isnull=False).values_list(
                "user_id", "content_object__support_groups"
            ),
            via_group.filter(content_object__support_groups__isnull=False).values_list(
                "group__user", "content_object__support_groups"
            ),
            all=True,
        )
        .order_by()
    )
    kept: dict[int, set[int]] = {pk: set() for pk in ids}
    for user_id, committee_id in rows:
        kept[user_id].add(committee_id)
    return {pk: frozenset(committees) for pk, committees in kept.items()}


def can_manage_roster(user, committee: Committee) -> bool:
    if not _user_ok(user):
        return False
    if user.is_superuser:
        return True
    return committees_roster_editable_by(user).filter(pk=committee.pk).exists()


def can_add_measurement(user, committee: Committee | None) -> bool:
    if not _user_ok(user):
        return False
    if user.is_superuser:
        return True
    if committee is None:
        return False
    return (
        _committees_with(user, MEASUREMENT_PERMISSION.split(".")[1])
        .filter(pk=committee.pk)
        .exists()
    )


def require_roster_right(user, committee: Committee) -> None:
    if not can_manage_roster(user, committee):
        raise PermissionDenied("You may not change this committee's roster.")


def ensure_groups(**kwargs) -> None:
    """Create the standard groups with their model permissions (run after every migrate)."""
    view = Permission.objects.filter(
        content_type__app_label__in=REGISTRY_APPS, codename__startswith="view_"
    )
    city_staff, _ = Group.objects.get_or_create(name=CITY_STAFF_GROUP)
    city_staff.permissions.add(*view)
    leaders, _ = Group.objects.get_or_create(name=LEADERS_GROUP)
    leaders.permissions.add(*view)
    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    secretariat.permissions.add(*view)
    secretariat.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="members",
            codename__in=["add_membership", "change_membership", "add_person", "change_person"],
        ),
        *Permission.objects.filter(content_type__app_label="mandates", codename="add_measurement"),
    )


def grant_secretariat(user, committee: Committee) -> None:
    """Make the user a member of the secretariat of this committee (and so of its support groups)."""
    from guardian.shortcuts import assign_perm

    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    assign_perm(ROSTER_PERMISSION, user, committee)
    assign_perm(MEASUREMENT_PERMISSION, user, committee)


def revoke_secretariat(user, committee: Committee) -> None:
    from guardian.shortcuts import remove_perm

    remove_perm(ROSTER_PERMISSION, user, committee)
    remove_perm(MEASUREMENT_PERMISSION, user, committee)


# --- Roster stewardship: finer questions the admin, the services and the pages ask. ---


def is_administrator(user) -> bool:
    """Administrators (superusers) may do everything, including granting secretariat rights."""
    return _user_ok(user) and user.is_superuser


def can_use_admin(user) -> bool:
    """Staff accounts that read the registry may open the admin (read-only unless granted more)."""
    return _user_ok(user) and user.is_staff and is_reader(user)


def can_change_committee(user, committee: Committee | None = None) -> bool:
    """A committee's own record (name, founding, lineage) is changed by administrators only."""
    return is_administrator(user)


def can_delete_roster_record(user) -> bool:
    """Nothing is deleted: a seat ends. Only an administrator may delete a record (a mistake),
    and the deletion still stays in history."""
    return is_administrator(user)


def can_change_posts(user) -> bool:
    """Who holds a post (and so who gets ex officio seats) is kept by administrators."""
    return is_administrator(user)


def committees_measurable_by(user) -> QuerySet[Committee]:
    """Committees whose targets the user may add measurements to."""
    return _committees_with(user, MEASUREMENT_PERMISSION.split(".")[1])


def can_manage_any_roster(user) -> bool:
    """Whether the user keeps at least one roster (shows the roster tools in the admin)."""
    if not _user_ok(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_registry_keeps_a_roster", None)
    if cached is None:
        cached = committees_roster_editable_by(user).exists()
        user._registry_keeps_a_roster = cached
    return cached


def can_change_person(user, person) -> bool:
    """A secretariat may correct a person who sits, or has a pending seat, on a committee it
    keeps (a current seat, a seat starting later, or an open ex officio change naming the
    person as the post's new holder), and who has never sat on a committee it does not keep.
    A person with no seat yet (even one the secretariat has just added), one who only sat in
    the past, or one seated elsewhere is corrected by an administrator. Adding a person
    (`person` None or unsaved) is open to every secretariat."""
    if not _user_ok(user):
        return False
    if person is not None and getattr(person, "merged_into_id", None) is not None:
        return False  # a merged record stays as it was: the kept person is the one to correct
    if user.is_superuser:
        return True
    if not can_manage_any_roster(user):
        return False
    if person is None or person.pk is None:
        return True
    editable = committees_roster_editable_by(user).values("pk")
    if person.memberships.exclude(committee__in=editable).exists():
        return False
    today = timezone.localdate()
    sits = person.memberships.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), committee__in=editable
    ).exists()
    return (
        sits
        or Committee.objects.filter(
            pk__in=editable,
            pending_seat_changes__status="pending",
            pending_seat_changes__new_holding__person=person,
        ).exists()
    )


def can_import_package(user, committee: Committee | None) -> bool:
    """A committee package: administrators for any body (new bodies too); a secretariat for
    the bodies it keeps and new support groups under them (`committee` is the body, or the
    parent of a new support group; None for a new body)."""
    if is_administrator(user):
        return True
    return committee is not None and can_manage_roster(user, committee)


def can_upload_package(user) -> bool:
    """Who may open the package upload page: administrators and secretariats."""
    return can_manage_any_roster(user)


def can_record_decision(user, committee: Committee | None) -> bool:
    """A decision and its effects: administrators for every body; a secretariat for the
    bodies it keeps (`committee=None`: a decision about no body yet, administrators only)."""
    if is_administrator(user):
        return True
    return committee is not None and can_manage_roster(user, committee)


def can_view_decision_scan(user) -> bool:
    """The scan of a signed decision is read by the registry's readers, never by anonymous."""
    return is_reader(user)


def require_measurement_right(user, committee: Committee | None) -> None:
    if not can_add_measurement(user, committee):
        raise PermissionDenied("You may not add measurements to this committee's targets.")


def require_administrator(user) -> None:
    if not is_administrator(user):
        raise PermissionDenied("Only an administrator may do this.")


def can_merge_people(user) -> bool:
    """Merging two person records moves seats on every committee: administrators only."""
    return is_administrator(user)


def require_merge_right(user) -> None:
    if not can_merge_people(user):
        raise PermissionDenied("Only an administrator may merge people.")


def secretariat_users(committee: Committee):
    """Users who hold the roster right on this committee directly (not through its parent)."""
    from django.contrib.auth import get_user_model

    holders = CommitteeUserObjectPermission.objects.filter(
        content_object=committee, permission__codename=ROSTER_PERMISSION.split(".")[1]
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=holders).order_by("username")


# --- Meetings and assigned tasks (the work app): the secretariat records, focal points report. ---

FOCAL_POINTS_GROUP = "Focal points"


def can_record_work(user, committee: Committee | None) -> bool:
    """The secretariat records meetings, attendance, conclusions and tasks for the committees whose
    roster it keeps; work without a committee is recorded by administrators."""
    if committee is None:
        return is_administrator(user)
    return can_manage_roster(user, committee)


def require_work_right(user, committee: Committee | None) -> None:
    if not can_record_work(user, committee):
        raise PermissionDenied("You may not record this committee's meetings and tasks.")


def agency_ids_focal_for(user) -> frozenset[int]:
    """Agencies for which the user is an active focal point (cached on the user for the request)."""
    if not _user_ok(user):
        return frozenset()
    cached = getattr(user, "_registry_focal_agencies", None)
    if cached is None:
        from work.models import FocalPoint

        cached = frozenset(
            FocalPoint.objects.filter(user=user, active=True).values_list("agency_id", flat=True)
        )
        user._registry_focal_agencies = cached
    return cached


def agency_ids_focal_for_users(users) -> dict[int, frozenset[int]]:
    """agency_ids_focal_for for many users in one query (and cached on each user)."""
    from work.models import FocalPoint

    found: dict[int, set[int]] = {user.pk: set() for user in users if _user_ok(user)}
    if found:
        rows = FocalPoint.objects.filter(user_id__in=list(found), active=True).values_list(
            "user_id", "agency_id"
        )
        for user_id, agency_id in rows:
            found[user_id].add(agency_id)
    for user in users:
        user._registry_focal_agencies = frozenset(found.get(user.pk, ()))
    return {user.pk: user._registry_focal_agencies for user in users}


def in_focal_points_group(user) -> bool:
    """Whether the user is in the focal points group (grant_focal_point and the admin put every
    focal point there); is_focal_point says whether it still reports for an agency."""
    return _user_ok(user) and FOCAL_POINTS_GROUP in _group_names(user)


def is_focal_point(user) -> bool:
    return bool(agency_ids_focal_for(user))


def can_have_work_queue(user) -> bool:
    """Readers have a work queue; so has a focal point (its agency's tasks, nothing else)."""
    return is_reader(user) or (in_focal_points_group(user) and is_focal_point(user))


def require_work_queue(user) -> None:
    if not can_have_work_queue(user):
        raise PermissionDenied("You have no work queue.")


def can_view_agency_tasks(user, agency) -> bool:
    """Readers see every task board; a focal point sees its own agencies' boards only."""
    return is_reader(user) or (agency is not None and agency.pk in agency_ids_focal_for(user))


def can_view_task(user, task) -> bool:
    return is_reader(user) or (
        task.lead_agency_id is not None and task.lead_agency_id in agency_ids_focal_for(user)
    )


def can_update_task_progress(user, task) -> bool:
    """The lead agency's focal point reports progress on its tasks; so does the secretariat."""
    if task.lead_agency_id is not None and task.lead_agency_id in agency_ids_focal_for(user):
        return True
    return can_record_work(user, task.committee)


def require_task_progress_right(user, task) -> None:
    if not can_update_task_progress(user, task):
        raise PermissionDenied("You may not report progress on this task.")


def can_download_meeting_document(user, meeting) -> bool:
    return is_reader(user)


def join_focal_points_group(user) -> None:
    user.groups.add(Group.objects.get_or_create(name=FOCAL_POINTS_GROUP)[0])
    user.__dict__.pop("_registry_group_names", None)


def grant_focal_point(user, agency) -> None:
    from work.models import FocalPoint

    join_focal_points_group(user)
    FocalPoint.objects.update_or_create(user=user, agency=agency, defaults={"active": True})


def revoke_focal_point(user, agency) -> None:
    from work.models import FocalPoint

    for focal_point in FocalPoint.objects.filter(user=user, agency=agency, active=True):
        focal_point.active = False
        focal_point._change_reason = "Focal point revoked"
        focal_point.save(update_fields=["active"])


def carry_rights(source: Committee, target: Committee) -> None:
    """Whoever holds a right on one body holds it on the body that continues it (a renamed
    body): its secretariat keeps the roster it kept."""
    from committees.models import CommitteeGroupObjectPermission, CommitteeUserObjectPermission

    for model, holder in (
        (CommitteeUserObjectPermission, "user_id"),
        (CommitteeGroupObjectPermission, "group_id"),
    ):
        model.objects.bulk_create(
            [
                model(content_object=target, permission_id=permission, **{holder: who})
                for permission, who in model.objects.filter(content_object=source).values_list(
                    "permission_id", holder
                )
            ],
            ignore_conflicts=True,
        )
