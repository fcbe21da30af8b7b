"""The web shell: app factory, layout, login, error pages, shared list component, static files."""
