"""System checks that refuse to run production with unsafe or half-configured settings.

They run on every management command (migrate runs before gunicorn in the web container),
only when DJANGO_ENV=production; `check --deploy` adds Django's own security checks. The
database and Redis are not judged here: /readyz says whether they answer.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

INSECURE_PREFIX = "django-insecure"


@register(Tags.security)
def production_settings_check(app_configs=None, **kwargs) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[Error] = []

    def refuse(message: str, hint: str, number: int) -> None:
        errors.append(Error(message, hint=hint, id=f"registry.E{number:03d}"))

    if settings.DEBUG:
        refuse(
            "DEBUG is on in production.",
            "Unset DJANGO_DEBUG (or set it to false).",
            1,
        )
    key = settings.SECRET_KEY or ""
    if len(key) < 50 or key.startswith(INSECURE_PREFIX) or len(set(key)) < 5:
        refuse(
            "The secret key is missing, short or a development default.",
            "Set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) to 50+ random characters.",
            2,
        )
    hosts = settings.ALLOWED_HOSTS
    if not hosts or "*" in hosts:
        refuse(
            "ALLOWED_HOSTS is empty or accepts any host.",
            "Set DJANGO_ALLOWED_HOSTS to the site's host names, comma-separated.",
            3,
        )
    if settings.SECURE_PROXY_SSL_HEADER != ("HTTP_X_FORWARDED_PROTO", "https"):
        refuse(
            "The app does not know which requests came over HTTPS through the proxy.",
            "Keep SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https') and make the "
            "proxy set X-Forwarded-Proto.",
            7,
        )
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE or not getattr(
        settings, "CONTENT_SECURITY_POLICY", None
    ):
        refuse(
            "No Content Security Policy is sent.",
            "Keep csp.middleware.CSPMiddleware and CONTENT_SECURITY_POLICY.",
            8,
        )
    if not getattr(settings, "AXES_ENABLED", False):
        refuse(
            "Login throttling (django-axes) is off in production.",
            "Unset AXES_ENABLED (or set it to true).",
            9,
        )
    return errors
