"""Handwritten digits to train on: one set shipped inside deepnet, and MNIST from its IDX files.

    load_digits()       1,797 digits of 8x8 pixels, in the package: works offline, always
    load_mnist(path)    the 70,000 MNIST digits of 28x28 pixels, from IDX files in a folder
                        (download=True fetches them from a mirror first, when online)

Both return ((x_train, t_train), (x_test, t_test)) like the book's dataset.mnist.load_mnist,
with the same options: normalize, flatten, one_hot_label.
"""
import gzip
import hashlib
import os
import urllib.error
import urllib.request
from importlib import resources

import numpy as np

DIGITS_FILE = "digits.csv.gz"
DIGITS_TEST_SIZE = 360  # 20 % of the 1,797 images
DIGITS_SPLIT_SEED = 0

# The four MNIST files, with the MD5 of the gzip files as first published (torchvision checks the same).
MNIST_FILES = {
    "train_img": ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train_label": ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    "test_img": ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    "test_label": ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
}
# Tried in order. The original address (yann.lecun.com) has refused downloads since 2023;
# these two are the mirrors that torchvision and TensorFlow use.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# IDX header: two zero bytes, a type code, the number of dimensions; then one big-endian uint32 per dimension.
IDX_UNSIGNED_BYTE = 0x08


def load_digits(normalize=True, flatten=True, one_hot_label=False):
    """The UCI 8x8 handwritten digits shipped with deepnet (no download), split into train and test.

    Inputs:
    - normalize: pixels as float32 in [0, 1] (value / 16); False keeps the raw uint8 counts 0..16.
    - flatten: images as rows of 64 values (N, 64); False gives (N, 1, 8, 8) like the book's MNIST.
    - one_hot_label: labels as (N, 10) one-hot rows instead of class indices (N,).
    Returns: ((x_train, t_train), (x_test, t_test)) with 1,437 training and 360 test images.

    The split is random but fixed (a permutation with seed DIGITS_SPLIT_SEED), so every call gives
    the same split; both parts keep the file's order. Random rather than "the last 360": the file
    seems to hold the 13 writers one after another, and a network trained on the first images
    reaches only about 0.91 on the last 360 (about 0.97 on a random 360).
    """
    with resources.files("deepnet").joinpath("data", DIGITS_FILE).open("rb") as compressed:
        with gzip.open(compressed, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.uint8)
    images, labels = table[:, :64], table[:, 64].astype(np.int64)
    images = prepare_images(images, 8, 16, normalize, flatten)
    if one_hot_label:
        labels = one_hot(labels)
    order = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(labels))
    test, train = np.sort(order[:DIGITS_TEST_SIZE]), np.sort(order[DIGITS_TEST_SIZE:])
    return (images[train], labels[train]), (images[test], labels[test])


def load_mnist(path, normalize=True, flatten=True, one_hot_label=False, download=False,
               mirrors=MNIST_MIRRORS):
    """MNIST from the four standard IDX files in the folder path (gzip-compressed or not).

    Inputs:
    - path: folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
      t10k-labels-idx1-ubyte, each with or without a .gz ending.
    - normalize: pixels as float32 in [0, 1] (value / 255); False keeps uint8 0..255.
    - flatten: images as rows of 784 values (N, 784); False gives (N, 1, 28, 28).
    - one_hot_label: labels as (N, 10) one-hot rows instead of class indices (N,).
    - download: fetch the missing files into path first, from the first mirror that answers
      (needs a network; the files are checked against their published MD5).
    Returns: ((x_train, t_train), (x_test, t_test)) with 60,000 and 10,000 images.

    Raises FileNotFoundError for a missing file, ValueError for a corrupt or truncated one,
    ConnectionError when download=True and no mirror can be reached.
    """
    path = os.fspath(path)
    if download:
        download_mnist(path, mirrors)
    arrays = {}
    for key, (gz_name, _md5) in MNIST_FILES.items():
        arrays[key] = read_idx(find_idx_file(path, gz_name))
    images = {}
    for part in ("train", "test"):
        image_array, label_array = arrays[part + "_img"], arrays[part + "_label"]
        if image_array.ndim != 3 or label_array.ndim != 1 or len(image_array) != len(label_array):
            raise ValueError(
                f"MNIST {part} files in {path} do not match: images of shape {image_array.shape} "
                f"and labels of shape {label_array.shape}; expected (N, 28, 28) images and N labels. "
                "Download the four files again (load_mnist(path, download=True))."
            )
        images[part] = prepare_images(image_array, image_array.shape[1], 255, normalize, flatten)
    labels = {part: arrays[part + "_label"].astype(np.int64) for part in ("train", "test")}
    if one_hot_label:
        labels = {part: one_hot(value) for part, value in labels.items()}
    return (images["train"], labels["train"]), (images["test"], labels["test"])


def prepare_images(images, side, max_value, normalize, flatten):
    """Reshape (N, ...) images to (N, side*side) or (N, 1, side, side); scale to [0, 1] if normalize."""
    images = images.reshape(len(images), 1, side, side)
    if flatten:
        images = images.reshape(len(images), -1)
    if normalize:
        images = images.astype(np.float32) / np.float32(max_value)
    return images


def one_hot(labels, n_classes=10):
    """Class indices (N,) -> one-hot rows (N, n_classes) of float64, like the book's _change_one_hot_label."""
    rows = np.zeros((len(labels), n_classes))
    rows[np.arange(len(labels)), labels] = 1
    return rows


def find_idx_file(folder, gz_name):
    """Path of the IDX file in folder, compressed (name.gz) or not (name); clear error if neither exists."""
    plain_name = gz_name.removesuffix(".gz")
    for name in (gz_name, plain_name):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(
        f"MNIST file {plain_name} (or {gz_name}) not found in {os.path.abspath(folder)}. "
        "Put the four MNIST IDX files there, call load_mnist(path, download=True) when you are "
        "online, or use deepnet.datasets.load_digits(), which is shipped with deepnet."
    )


def read_idx(filename):
    """Read an IDX file of unsigned bytes (gzip-compressed if its name ends in .gz) into a uint8 array."""
    opener = gzip.open if filename.endswith(".gz") else open
    try:
        with opener(filename, "rb") as stream:
            content = stream.read()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError; a cut gzip stream, EOFError
        kind = "gzip file" if opener is gzip.open else "file"
        raise ValueError(
            f"{filename} is not a readable {kind} ({error}); "
            "it is corrupt or was cut short: delete it and download it again."
        ) from error
    return parse_idx(content, filename)


def parse_idx(content, filename="IDX data"):
    """Decode the bytes of an IDX file: header (magic number, dimensions), then the values."""
    if len(content) < 4 or content[0] != 0 or content[1] != 0:
        raise ValueError(
            f"{filename} is not an IDX file: it should start with bytes 00 00, got {content[:4].hex(' ')}. "
            "It may be an HTML error page saved by a failed download: delete it and download it again."
        )
    type_code, n_dims = content[2], content[3]
    if type_code != IDX_UNSIGNED_BYTE:
        raise ValueError(
            f"{filename} holds IDX type 0x{type_code:02x}; MNIST images and labels are unsigned "
            f"bytes (type 0x{IDX_UNSIGNED_BYTE:02x}). Is it the right file?"
        )
    header_size = 4 + 4 * n_dims
    if len(content) < header_size:
        raise ValueError(
            f"{filename} is truncated: its header needs {header_size} bytes, got {len(content)}; "
            "download it again."
        )
    shape = tuple(int(d) for d in np.frombuffer(content, dtype=">u4", count=n_dims, offset=4))
    expected = header_size + int(np.prod(shape))
    if len(content) != expected:
        problem = "truncated" if len(content) < expected else "longer than its header says"
        raise ValueError(
            f"{filename} is {problem}: a header of shape {shape} needs {expected} bytes, "
            f"got {len(content)}; download it again."
        )
    return np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def download_mnist(folder, mirrors=MNIST_MIRRORS):
    """Download the MNIST files missing from folder (created if needed), checking each one's MD5."""
    os.makedirs(folder, exist_ok=True)
    for gz_name, md5 in MNIST_FILES.values():
        plain_name = gz_name.removesuffix(".gz")
        if any(os.path.isfile(os.path.join(folder, name)) for name in (gz_name, plain_name)):
            continue
        failures = []
        for mirror in mirrors:
            url = mirror + gz_name
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    content = response.read()
            except (urllib.error.URLError, OSError) as error:
                failures.append(f"{url}: {getattr(error, 'reason', error)}")
                continue
            if hashlib.md5(content).hexdigest() != md5:
                failures.append(f"{url}: the file differs from the published MNIST file (MD5 mismatch)")
                continue
            # Write under a temporary name first, so that an interrupted download leaves no half file.
            target = os.path.join(folder, gz_name)
            with open(target + ".part", "wb") as out:
                out.write(content)
            os.replace(target + ".part", target)
            break
        else:
            raise ConnectionError(
                f"Could not download {gz_name}: " + "; ".join(failures) + ". "
                f"If you are offline, copy the four MNIST files into {os.path.abspath(folder)} by hand, "
                "or use deepnet.datasets.load_digits(), which needs no network."
            )
