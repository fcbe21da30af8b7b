"""The edge of supervision (督办 / 挂牌督办): the ledger of listings (督办台账) as a page, an Excel export and a JSON
list (``lists.py``, ``views.py``), and the JSON API of a matter's listings (``api.py``). The use cases are in
``zhengwu.core.matters.supervision``."""
