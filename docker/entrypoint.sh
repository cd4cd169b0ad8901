#!/bin/sh
# Wait for the database, apply migrations when asked (the web role does), then become the command.
set -e
python - <<'PY'
import os, sys, time
import django
django.setup()
from django.db import connection
from django.db.utils import OperationalError
for attempt in range(60):
    try:
        connection.ensure_connection()
        break
    except OperationalError as exc:
        print(f"waiting for the database: {exc}", file=sys.stderr)
        time.sleep(1)
else:
    sys.exit("database unreachable after 60 s")
PY
if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    python manage.py migrate --noinput
fi
exec "$@"
