"""The agency server (FastAPI on uvicorn): accounts, roles, and the sync API of the laptops."""
