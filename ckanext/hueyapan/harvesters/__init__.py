"""Harvesters of the catalog: spreadsheets staff keep (CSV or XLSX) turned into datasets."""
