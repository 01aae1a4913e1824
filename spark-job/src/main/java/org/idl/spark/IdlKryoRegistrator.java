package org.idl.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers everything this project ships between JVMs, so it runs with
 * {@code spark.kryo.registrationRequired=true}. Records go through Java serialisation inside Kryo
 * (their canonical constructors rebuild them); plain classes use Kryo's field serialiser. Also
 * registered: the Spark and Scala classes that travel with our jobs and are not registered by
 * Spark itself (found by running with registration required).
 */
public class IdlKryoRegistrator implements KryoRegistrator {

    private static final String[] FIELD_SERIALIZED = {
            "org.idl.linalg.Matrix",
            "org.idl.linalg.SparseColumns",
            "org.idl.train.DataBlock",
            "org.idl.model.ImplicitModel",
            "org.idl.model.Activation$Relu",
            "org.idl.model.Activation$Tanh",
            "org.idl.model.Activation$Sigmoid",
            "org.idl.model.Activation$LeakyRelu",
            "org.idl.spark.train.TrainingData$Summary",
            "org.idl.train.gradient.Adam",
            "[Lorg.idl.linalg.Matrix;",
    };

    private static final String[] RECORDS = {
            "org.idl.train.BlockStore$Outcome",
            "org.idl.train.bcd.ABStep$Statistics",
            "org.idl.train.bcd.ReadoutStep$Statistics",
            "org.idl.train.sim.StateDrivenFit$Statistics",
            "org.idl.train.MetricSums",
            "org.idl.train.bcd.Passes$GramSum",
            "org.idl.train.bcd.Passes$StateStatistics",
            "org.idl.train.bcd.Passes$RobustRound",
            "org.idl.train.bcd.RobustCounterpart$Statistics",
            "org.idl.train.bcd.Passes$MiniBatchStatistics",
            "org.idl.train.bcd.Passes$MiniBatchEpoch$Result",
            "org.idl.train.gradient.GradientPasses$GradientSums",
            "org.idl.train.gradient.GradientPasses$EpochSums",
            "org.idl.train.gradient.GradientPasses$PointCount",
            "org.idl.spark.train.PassSnapshot",
            "org.idl.spark.train.SparkBlockStore$TaskTiming",
            "org.idl.spark.io.ParsedRecord",
    };

    private static final String[] OTHERS = {
            "[D",
            "[[D",
            "[I",
            "[Ljava.lang.Object;",
            "[Ljava.lang.String;",
            "java.util.ArrayList",
            "scala.collection.mutable.ArraySeq$ofRef",
            "org.apache.spark.sql.types.StructType",
            "[Lorg.apache.spark.sql.types.StructField;",
            "org.apache.spark.sql.types.StructField",
            "org.apache.spark.sql.types.Metadata",
            "org.apache.spark.sql.types.DoubleType$",
            "org.apache.spark.sql.types.IntegerType$",
            "org.apache.spark.sql.types.StringType",
            "org.apache.spark.sql.types.ArrayType",
            "org.apache.spark.ml.linalg.VectorUDT",
            "org.apache.spark.ml.linalg.DenseVector",
            "org.apache.spark.ml.linalg.SparseVector",
            "org.apache.spark.sql.catalyst.expressions.GenericRow",
            "org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema",
            "org.apache.spark.sql.catalyst.expressions.UnsafeRow",
            "org.apache.spark.sql.catalyst.InternalRow",
            "[Lorg.apache.spark.sql.catalyst.InternalRow;",
            "org.apache.spark.sql.execution.datasources.WriteTaskResult",
            "org.apache.spark.sql.execution.datasources.BasicWriteTaskStats",
            "org.apache.spark.sql.execution.datasources.ExecutedWriteSummary",
            "org.apache.spark.internal.io.FileCommitProtocol$TaskCommitMessage",
            "org.apache.spark.sql.execution.datasources.FileFormatWriter$ConcurrentOutputWriterSpec",
            "scala.collection.immutable.Set$EmptySet$",
            "scala.collection.immutable.Map$EmptyMap$",
            "scala.reflect.ClassTag$GenericClassTag",
            "java.lang.Class",
            "org.apache.spark.broadcast.TorrentBroadcast",
            "org.apache.spark.storage.BroadcastBlockId",
            "org.apache.spark.util.collection.CompactBuffer",
    };

    @Override
    public void registerClasses(Kryo kryo) {
        for (String name : FIELD_SERIALIZED) {
            kryo.register(load(name));
        }
        for (String name : RECORDS) {
            kryo.register(load(name), new JavaSerializer());
        }
        for (String name : OTHERS) {
            try {
                kryo.register(Class.forName(name, false, Thread.currentThread().getContextClassLoader()));
            } catch (ClassNotFoundException e) {
                // A Spark-internal class absent from this Spark version: nothing of it to register.
            }
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, IdlKryoRegistrator.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot register " + name + " with Kryo", e);
        }
    }
}
