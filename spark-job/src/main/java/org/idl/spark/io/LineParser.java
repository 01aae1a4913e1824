package org.idl.spark.io;

import java.io.Serializable;

/** Parses one text line of the {@code file}-th input file; null for a line without a record. */
interface LineParser extends Serializable {
    ParsedRecord parse(int file, String name, long line, String text);
}
