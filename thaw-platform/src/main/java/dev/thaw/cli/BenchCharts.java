package dev.thaw.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * PNG charts of a benchmark run, readable without the table: one bar per mode with p50 labelled on the bar, and
 * for a soak the platform's footprint over time.
 */
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

    /** A soak: threads, open fds and environments (left axis) and RSS in MB (right axis) over elapsed seconds. */
    static void soak(Path file, List<SoakSample> samples) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(520)
                .title("Soak: the platform process over time (healthy: back to the baseline when the load stops)")
                .xAxisTitle("elapsed seconds").yAxisTitle("count").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setMarkerSize(4);
        chart.setYAxisGroupTitle(1, "RSS MB");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        List<Double> seconds = samples.stream().map(SoakSample::elapsedSeconds).toList();
        chart.addSeries("threads", seconds, samples.stream().map(s -> (double) s.threads()).toList());
        chart.addSeries("open fds", seconds, samples.stream().map(s -> (double) s.fds()).toList());
        chart.addSeries("environments", seconds, samples.stream().map(s -> (double) s.environments()).toList());
        chart.addSeries("RSS MB (right axis)", seconds, samples.stream().map(SoakSample::rssMb).toList())
                .setYAxisGroup(1);
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
