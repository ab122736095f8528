import os

from django.core.wsgi import get_wsgi_application

from alliance.http_cache import shared_cache_from_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

# Anonymous readers of the public pages are answered from memory before Django runs:
# see alliance.http_cache (SHARED_CACHE_PATH_PREFIXES in the settings).
application = shared_cache_from_settings(get_wsgi_application())
