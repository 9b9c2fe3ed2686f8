"""Create one demo account per kind of user and print their names and passwords.

Passwords are generated once and kept in var/demo-accounts.txt (readable by the
owner only), so running the command again prints the same accounts.
"""

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from committees.models import Committee
from committees.permissions import CITY_STAFF_GROUP, LEADERS_GROUP, ensure_groups, grant_secretariat

SECRETARIAT_OF = "bcd-du-lieu-tphcm"
ACCOUNTS = [
    ("admin", "Administrator (superuser)"),
    ("canbo", "City staff: reads everything in the admin"),
    ("lanhdao", "Leader: reads the portal and downloads reports"),
    ("thuky.dulieu", f"Secretariat of {SECRETARIAT_OF}: keeps that roster"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (one per kind of user) and print their passwords."

    def handle(self, *args, **options):
        store = settings.VAR_DIR / "demo-accounts.txt"
        known = json.loads(store.read_text(encoding="utf-8")) if store.exists() else {}
        User = get_user_model()
        ensure_groups()
        for username, label in ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None or username not in known:
                known[username] = secrets.token_urlsafe(12)
                user = user or User(username=username)
                user.set_password(known[username])
                user.save()
            self._configure(user, username)
            self.stdout.write(f"  {username:<14} {known[username]:<18} {label}")
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(known, indent=2), encoding="utf-8")
        store.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready (passwords kept in {store})."))

    def _configure(self, user, username: str) -> None:
        if username == "admin":
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        elif username == "canbo":
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name=CITY_STAFF_GROUP))
        elif username == "lanhdao":
            user.groups.add(Group.objects.get(name=LEADERS_GROUP))
        else:
            committee = Committee.objects.filter(slug=SECRETARIAT_OF).first()
            if committee is not None:
                grant_secretariat(user, committee)
