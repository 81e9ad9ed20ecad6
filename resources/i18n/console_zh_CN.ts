<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Age</name>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1天%2小时</translation>
    </message>
</context>
<context>
    <name>DispatchStatusBar</name>
    <message>
        <source>Hub: connecting…</source>
        <translation>指挥中心：连接中…</translation>
    </message>
    <message>
        <source>Hub: connected</source>
        <translation>指挥中心：已连接</translation>
    </message>
    <message>
        <source>Hub: no answer</source>
        <translation>指挥中心：无响应</translation>
    </message>
    <message>
        <source>Units on duty: %1</source>
        <translation>在岗警力：%1</translation>
    </message>
    <message>
        <source>(%1 without recent fix)</source>
        <translation>（%1 个定位超时）</translation>
    </message>
    <message>
        <source>Open incidents: %1</source>
        <translation>未结警情：%1</translation>
    </message>
</context>
<context>
    <name>IncidentStatus</name>
    <message>
        <source>New</source>
        <translation>新警情</translation>
    </message>
    <message>
        <source>Plan proposed</source>
        <translation>方案待审</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派警</translation>
    </message>
    <message>
        <source>Units en route</source>
        <translation>警力途中</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>到场处置</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已撤销</translation>
    </message>
</context>
<context>
    <name>IncidentTableModel</name>
    <message>
        <source>Priority</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力数</translation>
    </message>
</context>
<context>
    <name>Layer</name>
    <message>
        <source>District boundary</source>
        <translation>辖区边界</translation>
    </message>
    <message>
        <source>Responsibility areas</source>
        <translation>责任区</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Police stations</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>1-minute points</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>110 call heatmap</source>
        <translation>110警情热力图</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标注</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Heatmap unavailable: %1</source>
        <translation>热力图不可用：%1</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>%1 calls in the window</source>
        <translation>时段内警情 %1 起</translation>
    </message>
    <message>
        <source>peak %1 per km²</source>
        <translation>峰值 %1 起/平方公里</translation>
    </message>
    <message>
        <source>Map layers</source>
        <translation>地图图层</translation>
    </message>
    <message>
        <source>110 call heatmap</source>
        <translation>110警情热力图</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近24小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近7天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近30天</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>最近90天</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Save &amp;screenshot…</source>
        <translation>保存截图(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Zoom to &amp;district</source>
        <translation>缩放至辖区(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Layers</source>
        <translation>图层(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>面板(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>Open incidents</source>
        <translation>未结警情</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Demo district: the outline, roads, stations and units are approximate illustrations, not official data.</source>
        <translation>演示辖区：边界、道路、派出所和警力均为示意数据，并非官方数据。</translation>
    </message>
    <message>
        <source>Command and Dispatch Console</source>
        <translation>指挥调度台</translation>
    </message>
    <message>
        <source>Huangpu (demo) — approximate data</source>
        <translation>黄浦 (demo) — 示意数据</translation>
    </message>
    <message>
        <source>Could not load the district: %1</source>
        <translation>无法加载辖区：%1</translation>
    </message>
    <message>
        <source>Could not load the situation: %1</source>
        <translation>无法加载实时态势：%1</translation>
    </message>
    <message>
        <source>Save screenshot</source>
        <translation>保存截图</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Could not save the screenshot to %1</source>
        <translation>无法将截图保存到 %1</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Command and Dispatch Console&lt;/h3&gt;&lt;p&gt;Live forces map, 110 call heatmap and incident dispatch.&lt;/p&gt;&lt;p&gt;The demo district (Huangpu, Shanghai) is approximate: its outline, roads, stations, units and call history are generated illustrations, not official data.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;指挥调度台&lt;/h3&gt;&lt;p&gt;实时警力地图、110警情热力图与警情调度。&lt;/p&gt;&lt;p&gt;演示辖区（上海黄浦）为示意数据：其边界、道路、派出所、警力和历史警情均为生成的示意内容，并非官方数据。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>MapView</name>
    <message>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派警</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>途中</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>到场处置</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>不在岗</translation>
    </message>
    <message>
        <source>No recent fix</source>
        <translation>定位超时</translation>
    </message>
    <message>
        <source>Unknown status ({status})</source>
        <translation>未知状态（{status}）</translation>
    </message>
    <message>
        <source>Unknown type ({type})</source>
        <translation>未知类型（{type}）</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新警情</translation>
    </message>
    <message>
        <source>Plan proposed</source>
        <translation>方案待审</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>Priority 1</source>
        <translation>一级</translation>
    </message>
    <message>
        <source>Priority 2</source>
        <translation>二级</translation>
    </message>
    <message>
        <source>Priority 3</source>
        <translation>三级</translation>
    </message>
    <message>
        <source>Priority 4</source>
        <translation>四级</translation>
    </message>
    <message>
        <source>Fix {age} s ago</source>
        <translation>{age} 秒前定位</translation>
    </message>
    <message>
        <source>Fix {age} min ago</source>
        <translation>{age} 分钟前定位</translation>
    </message>
    <message>
        <source>No fix yet</source>
        <translation>尚无定位</translation>
    </message>
    <message>
        <source>Station: {station}</source>
        <translation>派出所：{station}</translation>
    </message>
    <message>
        <source>Area: {area}</source>
        <translation>责任区：{area}</translation>
    </message>
    <message>
        <source>Incident #{id}</source>
        <translation>警情 #{id}</translation>
    </message>
    <message>
        <source>Units: {units}</source>
        <translation>警力：{units}</translation>
    </message>
    <message>
        <source>District outline</source>
        <translation>辖区边界</translation>
    </message>
    <message>
        <source>Responsibility areas</source>
        <translation>责任区</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Police stations</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>1-minute points</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>警力</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>110 call heatmap</source>
        <translation>110警情热力图</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Legend</source>
        <translation>图例</translation>
    </message>
    <message>
        <source>Unit types</source>
        <translation>警力类型</translation>
    </message>
    <message>
        <source>Unit status</source>
        <translation>警力状态</translation>
    </message>
    <message>
        <source>Incident priority</source>
        <translation>警情等级</translation>
    </message>
    <message>
        <source>Police station</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>1-minute point</source>
        <translation>1分钟处置点</translation>
    </message>
    <message>
        <source>110 calls per km²</source>
        <translation>110警情/平方公里</translation>
    </message>
    <message>
        <source>{name} (approximate)</source>
        <translation>{name}（示意）</translation>
    </message>
    <message>
        <source>No district loaded</source>
        <translation>未加载辖区</translation>
    </message>
    <message>
        <source>{n} m</source>
        <translation>{n} 米</translation>
    </message>
    <message>
        <source>{n} km</source>
        <translation>{n} 公里</translation>
    </message>
</context>
<context>
    <name>Priority</name>
    <message>
        <source>P%1</source>
        <translation>%1级</translation>
    </message>
</context>
<context>
    <name>UnitListPanel</name>
    <message>
        <source>Filter: station, call sign, type, status</source>
        <translation>筛选：派出所、呼号、类型、状态</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>UnitStatus</name>
    <message>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已指派</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>赶赴途中</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>到场处置</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>不在岗</translation>
    </message>
</context>
<context>
    <name>UnitTableModel</name>
    <message>
        <source>Station</source>
        <translation>派出所</translation>
    </message>
    <message>
        <source>Call sign</source>
        <translation>呼号</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>In status</source>
        <translation>状态时长</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Fix age</source>
        <translation>定位时长</translation>
    </message>
</context>
</TS>
