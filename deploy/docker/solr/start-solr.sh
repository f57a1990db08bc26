#!/bin/bash
# Starts Solr with the catalog's core "ckan" (deploy/docker/solr/Dockerfile).
#
# solr-precreate (from the Solr image) copies the configset into the core only when the core
# does not exist yet. The core lives on the solr_data volume and outlives the image, so on every
# start the core's conf is replaced by this image's: a new image (a new schema) always reaches
# the index. The catalog's init step (deploy/docker/entrypoint.sh) then reindexes every dataset
# when the schema differs from the one the index was built with.
set -euo pipefail

configset="${HUEYAPAN_SOLR_CONFIGSET:-/opt/solr/server/solr/configsets/hueyapan}"
core_dir="${HUEYAPAN_SOLR_CORE_DIR:-/var/solr/data/ckan}"

if [[ -d "$core_dir" ]]; then
    rm -rf "$core_dir/conf"
    cp -r "$configset/conf" "$core_dir/conf"
    echo "start-solr: core ckan: conf taken from this image"
fi
exec solr-precreate ckan "$configset"
