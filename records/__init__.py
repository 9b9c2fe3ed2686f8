"""Generic record keeping shared by every app: validate, save, and write history with who and why."""
