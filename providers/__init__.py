"""Status sources and the tracking vocabulary shared by the whole bot."""
