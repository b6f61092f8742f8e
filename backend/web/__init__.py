"""The statistics page: Pageviews Analysis' views served by wikiviews itself.

One blueprint, :data:`blueprint`: the HTML shell of each view (:mod:`backend.web.pages`), the
page's static files, and the little data the API does not offer (:mod:`backend.web.data`:
title suggestions). Everything else the page reads from the API's own routes in the browser.
"""

from __future__ import annotations

from backend.web.views import blueprint

__all__ = ["blueprint"]
