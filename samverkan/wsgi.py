import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")

application = get_wsgi_application()

from samverkan.web.startup import refuse_unsafe_production_start  # noqa: E402

refuse_unsafe_production_start()
