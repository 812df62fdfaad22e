"""The worker process's entry point: `python worker/main.py` or `casework worker`.

Settings come from the environment (CASEWORK_REDIS_URL, CASEWORK_DATABASE_URL, …), as for the web app.
"""

from casework.config import Settings
from casework.jobs.worker import run_worker

if __name__ == "__main__":
    run_worker(Settings.from_env())
