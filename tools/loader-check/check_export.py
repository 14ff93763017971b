#!/usr/bin/env python3
"""Loads a Hugging Face export of cropdata the way TerraTorch's MultiTemporalCropClassification does, with rasterio.

TerraTorch itself installs only from PyPI; this check applies the file rules of its dataset class
(terratorch/datasets/multi_temporal_crop_classification.py) with the Debian packages python3-rasterio and python3-pandas:

- images: sorted glob of <split>_chips/*_merged.tif, masks: sorted glob of <split>_chips/*.mask.tif, both kept when a
  line of <split>_data.txt is a substring of the file name (filter_valid_files, allow_substring=True);
- each image has time_steps * channels bands, rearranged "(time channels) h w -> channels time h w" with 6 channels;
- with use_metadata=True, chips_df.csv must have a row whose chip_id is the image file name without "_merged.tif",
  with first_img_date, middle_img_date, last_img_date parseable as dates;
- masks are read as class values; reduce_zero_label subtracts 1 (class 0, no data, becomes -1 = ignored).

Prints one JSON object: per split the number of samples, the band count, the image shape after the rearrangement,
the set of mask classes, and the temporal coordinates of the first sample. Exits 1 naming the first rule broken.
"""
import glob
import json
import os
import sys

import numpy as np
import pandas as pd
import rasterio

CHANNELS = 6
TIME_STEPS = 3
SPLITS = {"train": "training", "val": "validation"}


def fail(message):
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


def load_split(root, split):
    name = SPLITS[split]
    data_dir = os.path.join(root, f"{name}_chips")
    images = sorted(glob.glob(os.path.join(data_dir, "*_merged.tif")))
    masks = sorted(glob.glob(os.path.join(data_dir, "*.mask.tif")))
    with open(os.path.join(root, f"{name}_data.txt")) as f:
        valid = {line.strip() for line in f if line.strip()}
    images = [p for p in images if any(v in os.path.basename(p) for v in valid)]
    masks = [p for p in masks if any(v in os.path.basename(p) for v in valid)]
    if len(images) != len(valid) or len(masks) != len(valid):
        fail(f"{split}: {len(valid)} ids listed, {len(images)} images and {len(masks)} masks found")
    metadata = pd.read_csv(os.path.join(root, "chips_df.csv"))
    for col in ["chip_id", "first_img_date", "middle_img_date", "last_img_date"]:
        if col not in metadata.columns:
            fail(f"chips_df.csv has no column {col}")
    classes = set()
    first_coords = None
    for image_path, mask_path in zip(images, masks):
        chip = os.path.basename(image_path).replace("_merged.tif", "").replace(".tif", "")
        if os.path.basename(mask_path) != chip + ".mask.tif":
            fail(f"{split}: image {image_path} pairs with mask {mask_path}")
        rows = metadata.index[metadata["chip_id"] == chip].tolist()
        if not rows:
            fail(f"chips_df.csv has no row for {chip}")
        row = metadata.iloc[rows[0]]
        coords = []
        for col in ["first_img_date", "middle_img_date", "last_img_date"]:
            date = pd.to_datetime(row[col])
            coords.append([date.year, date.dayofyear - 1])
        first_coords = first_coords or coords
        with rasterio.open(image_path) as src:
            image = src.read()
            if src.count != CHANNELS * TIME_STEPS:
                fail(f"{image_path}: {src.count} bands, expected {CHANNELS * TIME_STEPS}")
        # "(time channels) h w -> channels time h w"
        image = image.reshape(TIME_STEPS, CHANNELS, *image.shape[1:]).transpose(1, 0, 2, 3)
        with rasterio.open(mask_path) as src:
            mask = src.read(1)
        if mask.shape != image.shape[2:]:
            fail(f"{mask_path}: mask {mask.shape} does not match the image {image.shape[2:]}")
        classes.update(int(v) for v in np.unique(mask))
    return {"samples": len(images), "bands": CHANNELS * TIME_STEPS, "image_shape": list(image.shape) if images else [],
            "classes": sorted(classes), "temporal_coords": first_coords}


def main():
    root = sys.argv[1]
    result = {"ok": True, "consumer": "TerraTorch MultiTemporalCropClassification file rules (rasterio check)"}
    for split in SPLITS:
        result[split] = load_split(root, split)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
