"""A comparison's results document (results.json) and its summary statistics, shared by `imagegen compare`
and the reports (local and a batch's on the deployment)."""
