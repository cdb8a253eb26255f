"""The ``samverkan`` command: ``samverkan audit verify`` runs ``manage.py audit_verify``.

Two words name a command written as ``<group>_<verb>``; anything else is handed
to Django's ``manage.py`` unchanged. ``samverkan linkage encode`` is the
exception: agencies outside the platform run it with only the package
installed, so it runs without Django settings or a database.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if argv[1:3] == ["linkage", "encode"]:
        from samverkan.linkage.cli import main as linkage_encode

        sys.exit(linkage_encode(argv[3:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    import django
    from django.core.management import execute_from_command_line, get_commands

    django.setup()
    if len(argv) >= 3 and f"{argv[1]}_{argv[2]}" in get_commands():
        argv = [argv[0], f"{argv[1]}_{argv[2]}", *argv[3:]]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
