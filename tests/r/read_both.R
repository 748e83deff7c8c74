# Reads a .sav or .dta file with haven and writes what R sees: every value as text
# (doubles with 17 significant digits, Stata's tagged missing values as "NA(a)"; SPSS
# user-missing values are kept as values), then each variable's label and value labels.
suppressMessages(library(haven))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
spss <- grepl("\\.sav$", path)
data <- if (spss) read_sav(path, user_na = TRUE) else read_dta(path)
as_text <- function(x) {
  plain <- unclass(if (inherits(x, "haven_labelled_spss")) zap_labels(x, user_na = TRUE) else zap_labels(x))
  if (is.character(plain)) return(ifelse(is.na(plain), "", plain))
  text <- ifelse(is.na(plain), "", sprintf("%.17g", plain))
  tags <- na_tag(plain)
  ifelse(is.na(tags), text, paste0("NA(", tags, ")"))
}
values <- as.data.frame(lapply(data, as_text), stringsAsFactors = FALSE, check.names = FALSE)
write.csv(values, args[2], row.names = FALSE, fileEncoding = "UTF-8")
rows <- list()
for (name in names(data)) {
  x <- data[[name]]
  rows[[length(rows) + 1]] <- c(name, "", attr(x, "label", exact = TRUE))
  labels <- attr(x, "labels", exact = TRUE)
  if (!is.null(labels)) {
    for (i in seq_along(labels)) {
      tag <- na_tag(labels[[i]])
      value <- if (!is.na(tag)) paste0("NA(", tag, ")") else sprintf("%.17g", unclass(labels[[i]]))
      rows[[length(rows) + 1]] <- c(name, value, names(labels)[i])
    }
  }
}
labels <- as.data.frame(do.call(rbind, rows), stringsAsFactors = FALSE)
names(labels) <- c("variable", "value", "label")
write.csv(labels, args[3], row.names = FALSE, fileEncoding = "UTF-8")
