"""Evidence (佐证资料) attached to cases."""
