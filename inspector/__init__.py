"""Inspector core: grids, scoring, persistence, services, reports, sync — Qt-free."""

__version__ = "0.1.0"
