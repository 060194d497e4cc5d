"""Operating ClubIN: the deployment checks behind ``manage.py clubin_doctor``."""
