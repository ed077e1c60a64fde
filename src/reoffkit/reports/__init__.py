"""Report builders: the tables, charts and computed findings behind each tool's page, command and
export. Pure (no Django, no I/O): engine frames and reference figures in, tables and findings out.
Anything shared outside the service passes through :mod:`reoffkit.disclosure` first."""
