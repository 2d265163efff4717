"""The report pages: Informes (coordinators) and Mis indicadores (each agent)."""
