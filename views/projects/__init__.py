"""一项目一档: the projects page (views.projects.project_page)."""
