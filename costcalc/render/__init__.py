"""Renderers: results in, text out. Only here and in the CLI is rich imported."""
