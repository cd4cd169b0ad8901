from django.db import connection
from django.http import JsonResponse

from sanctions.screening import index_status


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database error means "not healthy", which is the answer we give
        return False
    return True


class HealthCheckMiddleware:
    """Answers /healthz before host validation and the HTTPS redirect, so container and load
    balancer probes on 127.0.0.1 over plain HTTP work in production too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            healthy = database_reachable()
            return JsonResponse({"status": "ok" if healthy else "database unreachable", "screening_index": index_status()},
                                status=200 if healthy else 503)
        return self.get_response(request)
