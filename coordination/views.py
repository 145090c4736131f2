"""Error pages in the site's style; API paths answer in JSON. The 404 says nothing about
what was asked for."""
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return render(request, "400.html", status=400)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Server error. Nothing was changed."}, status=500)
    # No request context: its processors read the database, which may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
