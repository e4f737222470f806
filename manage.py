#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys

from herald.settings import env


def main() -> None:
    from django.core.management import execute_from_command_line

    env.ensure_settings_module()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
