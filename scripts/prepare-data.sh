#!/usr/bin/env bash
# Converts the real data sets from their Debian packages into Tern's formats, with the `tern`
# binary given as $1, into the folder $2:
#   fashion-mnist/{train,test}.h5   Fashion-MNIST (Zalando, MIT), package dataset-fashion-mnist:
#                                   60,000 + 10,000 images 28x28, 784 raw pixel features 0..255
#   breast_cancer.csv               Wisconsin diagnostic breast cancer (UCI; BSD-3 via scikit-learn):
#                                   569 rows, 30 features, label 0 = malignant, 1 = benign
#   diabetes.csv                    Efron et al. diabetes (BSD-3 via scikit-learn): 442 rows,
#                                   10 raw features, label = disease progression after one year
#   digits.csv                      optical recognition of handwritten digits (UCI; BSD-3 via
#                                   scikit-learn): 1,797 rows, 64 pixel counts 0..16, label 0..9
#   austen/austen.txt               Jane Austen's six novels (public domain; the text of Project
#                                   Gutenberg's editions, packaged by janeaustenr, MIT, package
#                                   r-cran-janeaustenr): 4.0 MB of English, one line of text a line
#   austen/{train,validation}.h5    its byte-level token streams, the first 90% and the last 10%
#   movielens/{train,test}.libsvm   MovieLens 100k ratings (GroupLens, via r-cran-dslabs, Artistic-2.0):
#                                   100,004 ratings 0.5..5 of 9,066 movies by 671 users, one row a
#                                   rating: user one-hot, movie one-hot, the movie's genres
#                                   multi-hot (9,757 features); a seeded 90/10 split of the rows
# CSVs follow Tern's convention: label first, no header. Existing outputs are kept.
set -euo pipefail
tern=$1
out=$2
mkdir -p "$out/fashion-mnist"

fashion=/usr/share/datasets/fashion-mnist
for split in train:train test:t10k; do
  name=${split%%:*} prefix=${split##*:}
  if [[ ! -f "$out/fashion-mnist/$name.h5" ]]; then
    "$tern" data convert --images "$fashion/$prefix-images-idx3-ubyte.gz" \
      --labels "$fashion/$prefix-labels-idx1-ubyte.gz" --output "$out/fashion-mnist/$name.h5"
  fi
done

sklearn_data=/usr/lib/python3/dist-packages/sklearn/datasets/data
if [[ ! -f "$out/breast_cancer.csv" ]]; then
  # Header line "569,30,malignant,benign", then 30 features and the target last.
  awk -F, 'NR > 1 { printf "%s", $NF; for (i = 1; i < NF; ++i) printf ",%s", $i; printf "\n" }' \
    "$sklearn_data/breast_cancer.csv" > "$out/breast_cancer.csv.tmp"
  mv "$out/breast_cancer.csv.tmp" "$out/breast_cancer.csv"
fi
if [[ ! -f "$out/diabetes.csv" ]]; then
  # Features: space-separated rows; targets: one float a line.
  paste -d' ' <(zcat "$sklearn_data/diabetes_target.csv.gz") <(zcat "$sklearn_data/diabetes_data_raw.csv.gz") |
    awk '{ printf "%.17g", $1; for (i = 2; i <= NF; ++i) printf ",%s", $i; printf "\n" }' > "$out/diabetes.csv.tmp"
  mv "$out/diabetes.csv.tmp" "$out/diabetes.csv"
fi
if [[ ! -f "$out/digits.csv" ]]; then
  # 64 features, then the digit.
  zcat "$sklearn_data/digits.csv.gz" |
    awk -F, '{ printf "%s", $NF; for (i = 1; i < NF; ++i) printf ",%s", $i; printf "\n" }' > "$out/digits.csv.tmp"
  mv "$out/digits.csv.tmp" "$out/digits.csv"
fi

mkdir -p "$out/austen"
if [[ ! -f "$out/austen/austen.txt" ]]; then
  # The novels in publication order, each as its lines, a blank line between books.
  Rscript -e 'library(janeaustenr)
    books <- list(sensesensibility, prideprejudice, mansfieldpark, emma, northangerabbey, persuasion)
    writeLines(unlist(lapply(books, function(book) c(book, ""))), commandArgs(TRUE)[1], useBytes = TRUE)' \
    "$out/austen/austen.txt.tmp"
  mv "$out/austen/austen.txt.tmp" "$out/austen/austen.txt"
fi
if [[ ! -f "$out/austen/validation.h5" ]]; then
  "$tern" data tokenize --input "$out/austen/austen.txt" \
    --output "$out/austen/train.h5=0.9" --output "$out/austen/validation.h5=0.1"
fi

mkdir -p "$out/movielens"
if [[ ! -f "$out/movielens/test.libsvm" ]]; then
  Rscript -e 'library(dslabs); data(movielens); m <- movielens
    users <- sort(unique(m$userId)); movies <- sort(unique(m$movieId))
    genre_lists <- strsplit(as.character(m$genres), "|", fixed = TRUE)
    genres <- sort(unique(unlist(genre_lists)))
    user <- match(m$userId, users); movie <- length(users) + match(m$movieId, movies)
    first_genre <- length(users) + length(movies)
    rows <- vapply(seq_len(nrow(m)), function(i) {
      genre <- sort(first_genre + match(genre_lists[[i]], genres))
      paste0(m$rating[i], " ", user[i], ":1 ", movie[i], ":1", paste0(" ", genre, ":1", collapse = ""))
    }, "")
    set.seed(7); test <- sort(sample(nrow(m), round(nrow(m) / 10)))
    out <- commandArgs(TRUE)[1]
    writeLines(rows[-test], file.path(out, "train.libsvm.tmp")); writeLines(rows[test], file.path(out, "test.libsvm.tmp"))' \
    "$out/movielens"
  mv "$out/movielens/train.libsvm.tmp" "$out/movielens/train.libsvm"
  mv "$out/movielens/test.libsvm.tmp" "$out/movielens/test.libsvm"
fi
