"""Tandem server: a real-time collaborative CRM workspace (Litestar + pycrdt + Postgres)."""
