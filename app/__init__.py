"""The Qt application, the tray, the hotkey and the command line."""
