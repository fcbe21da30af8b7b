"""Units, users, roles and grants, login, and the one access choke-point ``restrict()``."""
