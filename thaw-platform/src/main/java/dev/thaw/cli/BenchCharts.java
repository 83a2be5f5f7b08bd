package dev.thaw.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** PNG charts of a benchmark run, readable without the table: one bar per mode, p50 labelled on the bar. */
final class BenchCharts {
    private BenchCharts() {
    }

    /** Cold-start p50 per workload (groups) and mode (series), in milliseconds. */
    static void coldStarts(Path file, List<String> workloads, Map<String, List<Double>> p50ByMode) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520)
                .title("Cold start, client-side p50 (lower is better)")
                .xAxisTitle("workload").yAxisTitle("milliseconds to the complete response").build();
        style(chart);
        p50ByMode.forEach((mode, values) -> chart.addSeries(mode, workloads, values));
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Memory per workload (groups): RSS after the first response per mode, and the snapshot's size on disk. */
    static void memory(Path file, List<String> workloads, Map<String, List<Double>> mbBySeries) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520)
                .title("Memory: RSS after the first response; snapshot and AOT cache size on disk")
                .xAxisTitle("workload").yAxisTitle("MB").build();
        style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        mbBySeries.forEach((series, values) -> chart.addSeries(series, workloads, values));
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Warm-invoke p50 and p99 per number of concurrent callers. */
    static void warm(Path file, List<String> callers, List<Double> p50, List<Double> p99) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520)
                .title("Warm invokes of hello, client-side latency (lower is better)")
                .xAxisTitle("concurrent callers").yAxisTitle("milliseconds").build();
        style(chart);
        chart.getStyler().setDecimalPattern("#,##0.0");
        chart.addSeries("p50", callers, p50);
        chart.addSeries("p99", callers, p99);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void style(CategoryChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
    }
}
