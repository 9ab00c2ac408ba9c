from coaching.models.automations import Automation, AutomationRun

__all__ = ["Automation", "AutomationRun"]
