"""One static partition per registry project."""

import dagster as dg

from pipelines.resources import projects

project_partitions = dg.StaticPartitionsDefinition([p.slug for p in projects()])
