"""The JSON API (django-ninja): the same reads and writes as the pages, for scripts.

``collegium.api.main`` builds the ``NinjaAPI``; ``routers/`` holds one router per app;
``auth`` resolves who is calling (personal API token, session with CSRF, or nobody).
"""
