"""The bundled digits and the MNIST loader. No test here touches the network: downloads are
tested with file:// mirrors in a temporary folder, and 'offline' with a urlopen that fails."""
import gzip
import hashlib
import os
import urllib.error
from importlib import resources

import numpy as np
import pytest

from deepnet import datasets
from deepnet.datasets import load_digits, load_mnist

# ---------------------------------------------------------------- the bundled digits


def all_rows(split):
    """Every (image, label) of a split as a list of tuples, to compare splits without caring about order."""
    (x_train, t_train), (x_test, t_test) = split
    images, labels = np.concatenate([x_train, x_test]), np.concatenate([t_train, t_test])
    return [tuple(x) + (t,) for x, t in zip(images, labels, strict=True)]


def test_digits_ship_with_the_package_as_a_small_file_with_its_licence():
    data = resources.files("deepnet").joinpath("data")
    size = len(data.joinpath("digits.csv.gz").read_bytes())
    assert size < 100_000  # "a few tens of KB"
    readme = data.joinpath("README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "Optical Recognition of Handwritten Digits" in readme


def test_digits_are_1797_images_of_64_values_in_0_to_1_split_1437_and_360():
    (x_train, t_train), (x_test, t_test) = load_digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert t_train.shape == (1437,) and t_test.shape == (360,)
    assert x_train.dtype == np.float32
    for x in (x_train, x_test):
        assert x.min() == 0.0 and x.max() == 1.0
    for t in (t_train, t_test):
        assert np.issubdtype(t.dtype, np.integer) and set(np.unique(t)) == set(range(10))


def test_train_and_test_together_hold_every_image_of_the_file_exactly_once():
    rows = all_rows(load_digits(normalize=False))
    assert len(rows) == 1797
    with resources.files("deepnet").joinpath("data", "digits.csv.gz").open("rb") as raw:
        with gzip.open(raw, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    assert sorted(rows) == sorted(tuple(row) for row in table)


def test_the_split_is_the_same_on_every_call():
    first, second = load_digits(), load_digits()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


def test_the_test_set_has_every_digit_in_roughly_equal_numbers():
    _, (_, t_test) = load_digits()
    counts = np.bincount(t_test, minlength=10)
    assert counts.min() >= 20 and counts.max() <= 55  # 36 each on average


def test_raw_digits_are_uint8_pixel_counts_from_0_to_16():
    (x_train, _), _ = load_digits(normalize=False)
    assert x_train.dtype == np.uint8 and x_train.max() == 16
    (x_normalized, _), _ = load_digits()
    np.testing.assert_allclose(x_normalized, x_train / 16)


def test_one_hot_labels_have_a_single_one_at_the_class_index():
    (_, t_index), _ = load_digits()
    (_, t_one_hot), _ = load_digits(one_hot_label=True)
    assert t_one_hot.shape == (1437, 10)
    np.testing.assert_array_equal(t_one_hot.sum(axis=1), 1)
    np.testing.assert_array_equal(np.argmax(t_one_hot, axis=1), t_index)


def test_unflattened_digits_are_8_by_8_images_with_one_channel():
    (x_flat, _), _ = load_digits()
    (x_images, _), _ = load_digits(flatten=False)
    assert x_images.shape == (1437, 1, 8, 8)
    np.testing.assert_array_equal(x_images.reshape(1437, 64), x_flat)


def test_changing_a_returned_array_does_not_change_the_next_load():
    (x_train, _), _ = load_digits()
    x_train[...] = -1
    (x_again, _), _ = load_digits()
    assert x_again.min() == 0.0


# ---------------------------------------------------------------- MNIST from IDX files


def idx_bytes(array):
    """An IDX file of unsigned bytes: 00 00 08 ndim, big-endian uint32 dimensions, the values."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.tobytes()


def tiny_mnist(n_train=5, n_test=3, seed=0):
    """Random 28x28 images and labels in the four MNIST roles, as IDX bytes by file name."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, size=(n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, size=n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, size=(n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, size=n_test),
    }
    return arrays, {name: idx_bytes(array) for name, array in arrays.items()}


def write_files(folder, files, compressed):
    for name, content in files.items():
        if compressed:
            with gzip.open(folder / (name + ".gz"), "wb") as out:
                out.write(content)
        else:
            (folder / name).write_bytes(content)


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip", "plain"])
def test_load_mnist_reads_idx_files_gzip_compressed_or_not(tmp_path, compressed):
    arrays, files = tiny_mnist()
    write_files(tmp_path, files, compressed)
    (x_train, t_train), (x_test, t_test) = load_mnist(tmp_path, normalize=False)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"].reshape(5, 784))
    np.testing.assert_array_equal(t_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte"].reshape(3, 784))
    np.testing.assert_array_equal(t_test, arrays["t10k-labels-idx1-ubyte"])
    assert x_train.dtype == np.uint8


def test_load_mnist_options_match_the_books_load_mnist(tmp_path):
    arrays, files = tiny_mnist()
    write_files(tmp_path, files, compressed=True)
    (x_train, t_train), _ = load_mnist(tmp_path, flatten=False, one_hot_label=True)
    assert x_train.shape == (5, 1, 28, 28) and x_train.dtype == np.float32
    np.testing.assert_allclose(x_train.reshape(5, 28, 28), arrays["train-images-idx3-ubyte"] / 255, rtol=1e-6)
    np.testing.assert_array_equal(np.argmax(t_train, axis=1), arrays["train-labels-idx1-ubyte"])


def test_a_missing_file_names_the_file_the_folder_and_the_ways_out(tmp_path):
    _, files = tiny_mnist()
    del files["t10k-labels-idx1-ubyte"]
    write_files(tmp_path, files, compressed=True)
    with pytest.raises(FileNotFoundError) as error:
        load_mnist(tmp_path)
    message = str(error.value)
    assert "t10k-labels-idx1-ubyte" in message and str(tmp_path) in message
    assert "download=True" in message and "load_digits" in message


def test_an_html_page_saved_as_an_idx_file_is_reported_as_not_idx(tmp_path):
    _, files = tiny_mnist()
    files["train-images-idx3-ubyte"] = b"<!DOCTYPE html><html>404 Not Found</html>"
    write_files(tmp_path, files, compressed=False)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte is not an IDX file.*download it again"):
        load_mnist(tmp_path)


def test_a_truncated_idx_file_is_reported_as_truncated(tmp_path):
    _, files = tiny_mnist()
    files["train-images-idx3-ubyte"] = files["train-images-idx3-ubyte"][:-100]
    write_files(tmp_path, files, compressed=False)
    expected = r"truncated: a header of shape \(5, 28, 28\) needs 3936 bytes, got 3836"
    with pytest.raises(ValueError, match=expected):
        load_mnist(tmp_path)


def test_a_cut_gzip_file_is_reported_as_corrupt_or_cut_short(tmp_path):
    _, files = tiny_mnist()
    write_files(tmp_path, files, compressed=True)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz is not a readable gzip file .*cut short"):
        load_mnist(tmp_path)


def test_a_plain_file_named_gz_is_reported_as_unreadable(tmp_path):
    _, files = tiny_mnist()
    write_files(tmp_path, files, compressed=True)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(files["train-labels-idx1-ubyte"])
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz is not a readable gzip file"):
        load_mnist(tmp_path)


def test_an_idx_file_of_another_value_type_is_rejected(tmp_path):
    _, files = tiny_mnist()
    files["train-labels-idx1-ubyte"] = bytes([0, 0, 0x0D, 1]) + np.array([5], ">u4").tobytes() + bytes(20)
    write_files(tmp_path, files, compressed=False)
    with pytest.raises(ValueError, match="IDX type 0x0d; MNIST images and labels are unsigned bytes"):
        load_mnist(tmp_path)


def test_images_and_labels_of_different_counts_are_rejected(tmp_path):
    arrays, files = tiny_mnist()
    files["train-labels-idx1-ubyte"] = idx_bytes(arrays["train-labels-idx1-ubyte"][:4])
    write_files(tmp_path, files, compressed=False)
    with pytest.raises(ValueError, match=r"MNIST train files .* do not match: images of shape \(5, 28, 28\)"):
        load_mnist(tmp_path)


# ---------------------------------------------------------------- downloading, without a network


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A folder served as a file:// mirror holding the tiny MNIST files, with their MD5s made official."""
    arrays, files = tiny_mnist()
    folder = tmp_path / "mirror"
    folder.mkdir()
    write_files(folder, files, compressed=True)
    official = {
        key: (gz_name, hashlib.md5((folder / gz_name).read_bytes()).hexdigest())
        for key, (gz_name, _md5) in datasets.MNIST_FILES.items()
    }
    monkeypatch.setattr(datasets, "MNIST_FILES", official)
    return arrays, folder.as_uri() + "/"


def test_download_fetches_the_missing_files_then_loads_them(tmp_path, mirror):
    arrays, url = mirror
    target = tmp_path / "new" / "mnist"  # created on the way
    (x_train, t_train), _ = load_mnist(target, normalize=False, download=True, mirrors=(url,))
    np.testing.assert_array_equal(t_train, arrays["train-labels-idx1-ubyte"])
    assert sorted(os.listdir(target)) == sorted(name + ".gz" for name in arrays)  # no .part files left


def test_download_tries_the_next_mirror_when_one_is_down(tmp_path, mirror):
    arrays, url = mirror
    broken = (tmp_path / "nowhere").as_uri() + "/"
    (_, t_train), _ = load_mnist(tmp_path / "mnist", download=True, mirrors=(broken, url))
    np.testing.assert_array_equal(t_train, arrays["train-labels-idx1-ubyte"])


def test_download_keeps_files_that_are_already_there(tmp_path, mirror, monkeypatch):
    _, url = mirror
    load_mnist(tmp_path, download=True, mirrors=(url,))

    def no_network(*args, **kwargs):
        raise AssertionError("urlopen was called although all files were there")

    monkeypatch.setattr(datasets.urllib.request, "urlopen", no_network)
    load_mnist(tmp_path, download=True, mirrors=(url,))


def test_a_download_that_differs_from_the_published_file_is_refused(tmp_path, mirror, monkeypatch):
    _, url = mirror
    wrong = dict(datasets.MNIST_FILES)
    wrong["train_img"] = (wrong["train_img"][0], "0" * 32)
    monkeypatch.setattr(datasets, "MNIST_FILES", wrong)
    with pytest.raises(ConnectionError, match="MD5 mismatch"):
        load_mnist(tmp_path / "mnist", download=True, mirrors=(url,))
    assert "train-images-idx3-ubyte.gz" not in os.listdir(tmp_path / "mnist")


def test_no_network_gives_a_clear_error_with_the_offline_alternatives(tmp_path, monkeypatch):
    def offline(url, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(datasets.urllib.request, "urlopen", offline)
    with pytest.raises(ConnectionError) as error:
        load_mnist(tmp_path, download=True)
    message = str(error.value)
    assert "Could not download train-images-idx3-ubyte.gz" in message
    assert "Temporary failure in name resolution" in message
    assert "offline" in message and "load_digits()" in message
    for mirror_url in datasets.MNIST_MIRRORS:
        assert mirror_url in message


def test_without_download_load_mnist_never_opens_a_url(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist opened a URL without download=True")

    monkeypatch.setattr(datasets.urllib.request, "urlopen", no_network)
    with pytest.raises(FileNotFoundError):
        load_mnist(tmp_path)
