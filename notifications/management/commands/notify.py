"""Build the digests that are due today and queue them for delivery; --dry-run prints them."""

from django.core.management.base import BaseCommand, CommandError

from notifications import selectors, services


class Command(BaseCommand):
    help = (
        "Build today's digests (one per user) into the outbox and send them; --dry-run prints them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print, send nothing.")
        parser.add_argument("--user", dest="username", help="Only this user (a username).")

    def handle(self, *args, dry_run: bool = False, username: str | None = None, **options):
        if username is not None and not selectors.recipients(username).exists():
            raise CommandError(f"No active registry user named {username!r}.")
        messages = services.digests_build(username=username)
        if dry_run:
            for message in messages:
                self.stdout.write(
                    f"To: {message.username} <{message.recipient or 'no e-mail address'}>"
                )
                self.stdout.write(f"Subject: {message.subject}")
                for item in message.items:
                    self.stdout.write(f"  - {item.committee_name}: {item.kind_label}: {item.text}")
                self.stdout.write("")
            self.stdout.write(f"{len(messages)} digest(s); nothing sent (dry run).")
            return
        created = services.outbox_store(messages=messages)
        skipped = len(messages) - len(created)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(created)} digest(s) queued; {skipped} already sent today or without an address."
            )
        )
