"""Per-location consistency reports: view-model (pure), PDF rendering and batch rendering."""
