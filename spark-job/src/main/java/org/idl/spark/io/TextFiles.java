package org.idl.spark.io;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The text files of a line-based input (LIBSVM, CSV) and their lines, parsed on the executors. */
final class TextFiles {
    private TextFiles() {
    }

    /**
     * The text files to read: the path itself, or the files of a directory in name order (names
     * starting with _ or ., such as _SUCCESS and .crc files, are not data). Each file keeps its own
     * line numbers in error messages.
     */
    static List<String> list(FileSystem fs, String location) throws IOException {
        Path path = new Path(location);
        if (!fs.getFileStatus(path).isDirectory()) {
            return List.of(location);
        }
        List<String> files = new ArrayList<>();
        for (FileStatus s : fs.listStatus(path)) {
            String name = s.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (s.isDirectory()) {
                throw new IllegalArgumentException(location + ": holds the directory " + name
                        + "; give a file or a directory of files");
            }
            files.add(new Path(path, name).toString());
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(location + ": no data (no files in the directory)");
        }
        files.sort(null);
        return files;
    }

    /** The parsed lines of all files, each line numbered within its file (1-based). */
    static JavaRDD<ParsedRecord> parseLines(SparkSession spark, List<String> files, LineParser parser) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<JavaRDD<ParsedRecord>> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            int file = i;
            String name = files.get(i);
            parts.add(sc.textFile(name).zipWithIndex().map(t -> parser.parse(file, name, t._2() + 1, t._1()))
                    .filter(Objects::nonNull));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        @SuppressWarnings("unchecked")
        JavaRDD<ParsedRecord>[] all = parts.toArray(new JavaRDD[0]);
        return sc.union(all);
    }
}
