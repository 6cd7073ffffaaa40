"""vacancies pages."""
