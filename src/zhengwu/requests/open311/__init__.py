"""Open311 GeoReport v2 at ``/open311/v2/``: the documents and mappings (``model``), the arguments of GET requests
(``query``) and POST requests (``form``), the queries and intake (``service``) and the routes (``api``). See
docs/open311.md."""
