"""amaaudit: why is this Azure VM not sending Heartbeat to Log Analytics?"""

__version__ = "0.1.0"
