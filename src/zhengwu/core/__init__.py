"""The shared kernel: settings, errors, database and unit of work, org & access, calendar, audit."""
