"""Cases (整改事项): the findings that move through a workflow."""
