"""Strings of Django's admin and django-guardian that their Vietnamese catalogues lack (or get
wrong: "History" is not "Bản ghi nhớ"). Listed here so `makemessages` keeps them in
locale/vi, where they take precedence over the packages' own catalogues."""

from django.utils.translation import gettext_noop, ngettext_lazy

THIRD_PARTY_STRINGS = (
    gettext_noop("History"),
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Object permissions"),
    gettext_noop("Permissions saved."),
    gettext_noop("User identification"),
    gettext_noop("This user does not exist"),
    gettext_noop("Enter a value compatible with User.USERNAME_FIELD"),
    gettext_noop("This group does not exist"),
    gettext_noop("object ID"),
    gettext_noop("Users"),
    gettext_noop("User permissions"),
    gettext_noop("Edit"),
    gettext_noop("Manage user"),
    gettext_noop("Groups"),
    gettext_noop("Group permissions"),
    gettext_noop("Group"),
    gettext_noop("Manage group"),
    gettext_noop("Object"),
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
)
