"""The report: a comparison's results or a batch's outcomes as one self-contained HTML page
(render.draw), the same code locally and on the deployment."""
